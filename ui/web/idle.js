// Lets the page rest when the app does. eframe's web runner asks for an animation frame on
// every display frame, painting or not (eframe 0.37, web/events.rs), which keeps the webview's
// frame clock running at idle. The view layer stamps `window.__outreachPainted` each time it
// draws; once it has not drawn for a second, the runner's frame requests wait half a
// second instead, and any input ends the wait at once, so a click or a key is never slower.
const nativeFrame = window.requestAnimationFrame.bind(window);
const restAfterMs = 1000;
const restingCheckMs = 500;
let waiting = null; // { timer, callback } while resting

function wake() {
  if (waiting) {
    clearTimeout(waiting.timer);
    const { callback } = waiting;
    waiting = null;
    nativeFrame(callback);
  }
}

window.requestAnimationFrame = (callback) => {
  const painted = window.__outreachPainted || 0;
  if (performance.now() - painted < restAfterMs) {
    return nativeFrame(callback);
  }
  const timer = setTimeout(() => {
    waiting = null;
    nativeFrame(callback);
  }, restingCheckMs);
  waiting = { timer, callback };
  return timer;
};

for (const input of ["pointerdown", "pointermove", "pointerup", "wheel", "keydown", "keyup", "focus", "resize"]) {
  window.addEventListener(input, wake, { capture: true, passive: true });
}
