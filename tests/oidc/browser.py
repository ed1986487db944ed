#!/usr/bin/env python3
"""The system browser of the sign-in tests (their BROWSER): opens the sign-in URL it is given,
signs in on oidc-provider's own login and consent forms as a person would, follows the
redirects, and opens the app's loopback callback. It does what OIDC_BROWSER_MODE says:

  approve  sign in and consent (the default)
  deny     abort at the login page (the provider answers error=access_denied)
  state    change the callback's `state` before opening it
  iss      change the callback's `iss` before opening it
  stray    first ask the listener for other paths (it must answer 404 and stay open)
  ignore   do nothing (the person closed the tab)

OIDC_BROWSER_LOGIN is the account (default alice); OIDC_BROWSER_LOG, when set, receives what
happened as JSON: the callback URL, its status and page text, and the stray answers.
"""
import html
import http.cookiejar
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(url, form=None):
    """(status, location, body) of one request, redirects not followed."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=10) as resp:
            return resp.status, resp.headers.get("Location"), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location"), err.read().decode(errors="replace")


def text_of(page):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def main():
    url = sys.argv[1]
    mode = os.environ.get("OIDC_BROWSER_MODE", "approve")
    login = os.environ.get("OIDC_BROWSER_LOGIN", "alice")
    log = {"mode": mode}
    if mode == "ignore":
        return log
    provider = urllib.parse.urlsplit(url)
    status, location, body = fetch(url)
    for _ in range(20):
        if location:
            target = urllib.parse.urljoin(url, location)
            if urllib.parse.urlsplit(target).netloc != provider.netloc:
                break
            url = target
            status, location, body = fetch(url)
            continue
        action = re.search(r'<form[^>]*action="([^"]+)"', body)
        if status != 200 or not action:
            log["provider_page"] = text_of(body)[:500]
            return log
        submit = urllib.parse.urljoin(url, html.unescape(action.group(1)))
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        if fields.get("prompt") == "login":
            if mode == "deny":
                url = submit.rstrip("/") + "/abort"
                status, location, body = fetch(url)
                continue
            fields.update(login=login, password="any password")
        status, location, body = fetch(submit, fields)
        url = submit
    else:
        log["error"] = "too many redirects"
        return log

    callback = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qs(callback.query)
    if mode in ("state", "iss") and mode in query:
        query[mode] = [query[mode][0] + "x"]
    if mode == "stray":
        base = f"{callback.scheme}://{callback.netloc}"
        log["stray"] = [fetch(base + path)[0] for path in ("/favicon.ico", "/", "/callbackx")]
    target = urllib.parse.urlunsplit(callback._replace(query=urllib.parse.urlencode(query, doseq=True)))
    status, _, body = fetch(target)
    log.update(callback=target, status=status, page=text_of(body))
    return log


if __name__ == "__main__":
    try:
        result = main()
    except Exception as err:  # the test reads what went wrong from the log
        result = {"error": f"{type(err).__name__}: {err}"}
    if os.environ.get("OIDC_BROWSER_LOG"):
        with open(os.environ["OIDC_BROWSER_LOG"], "w") as out:
            json.dump(result, out)
