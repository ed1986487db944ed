// Loads the view layer's wasm module; its start function draws the app on #dashboard.
// (A file of its own: the content security policy allows no inline script.)
import "./idle.js";
import init from "./outreach_ui.js";
init();
