//! The one error that crosses the IPC between the desktop shell and the view layer.

/// What kind of failure an [`ApiError`] is, so the view can choose what to offer (retry,
/// settings, nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The question itself is wrong (a bad date range, an unknown campaign).
    BadRequest,
    /// The database could not be reached or is not set up right; a retry may help.
    Unavailable,
    /// The database answered with something this build cannot read.
    Data,
    /// The call itself failed (the IPC, a lost task).
    Internal,
    /// The person is not signed in, or the database refused their sign-in: sign in (again).
    SignIn,
    /// The person's role does not allow it (a viewer's export): ask an administrator.
    Forbidden,
}

/// A failed question: `{code, message}`. The message says what went wrong and what to do, and
/// never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// The kind of failure.
    pub code: ErrorCode,
    /// For a person to read.
    pub message: String,
}

impl ApiError {
    /// An error of `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_the_ipc_as_code_and_message() {
        let error = ApiError::new(ErrorCode::Unavailable, "cannot reach the database");
        let json = serde_json::to_string(&error).expect("serialise");
        assert_eq!(
            json,
            r#"{"code":"unavailable","message":"cannot reach the database"}"#
        );
        let back: ApiError = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, error);
    }
}
