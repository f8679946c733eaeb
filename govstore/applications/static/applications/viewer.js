/* Staff document viewer: zoom and rotate a document photo in place. Without this script
   each photo is shown whole and links to the full-size original in a new tab.

   Each <figure data-viewer> gets a small toolbar; its button labels come from the
   figure's data attributes, in the page's language. Keys while the photo has focus:
   + and - zoom, r rotates, 0 resets. */
(function () {
  "use strict";

  var ZOOM_STEP = 0.25;
  var ZOOM_MIN = 0.5;
  var ZOOM_MAX = 4;

  function button(label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "viewer__button";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function enhance(figure) {
    var image = figure.querySelector("img");
    var frame = figure.querySelector(".viewer__frame");
    if (!image || !frame) {
      return;
    }
    var zoom = 1;
    var turns = 0;

    function apply() {
      var quarter = turns % 2 === 1;
      image.style.transform = "rotate(" + turns * 90 + "deg) scale(" + zoom + ")";
      // Leave room for a rotated or enlarged photo so it can be scrolled into view.
      frame.classList.toggle("viewer__frame--zoomed", zoom > 1 || quarter);
      status.textContent = figure.dataset.labelZoom + " " + Math.round(zoom * 100) + "% · " +
        figure.dataset.labelTurned + " " + turns * 90 + "°";
    }

    function zoomBy(step) {
      zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom + step));
      apply();
    }

    function rotate() {
      turns = (turns + 1) % 4;
      apply();
    }

    function reset() {
      zoom = 1;
      turns = 0;
      apply();
    }

    var toolbar = document.createElement("div");
    toolbar.className = "viewer__toolbar";
    toolbar.setAttribute("role", "group");
    toolbar.setAttribute("aria-label", figure.dataset.labelTools);
    toolbar.appendChild(button(figure.dataset.labelZoomIn, function () { zoomBy(ZOOM_STEP); }));
    toolbar.appendChild(button(figure.dataset.labelZoomOut, function () { zoomBy(-ZOOM_STEP); }));
    toolbar.appendChild(button(figure.dataset.labelRotate, rotate));
    toolbar.appendChild(button(figure.dataset.labelReset, reset));
    var status = document.createElement("span");
    status.className = "viewer__state";
    status.setAttribute("aria-live", "polite");
    toolbar.appendChild(status);
    figure.insertBefore(toolbar, figure.firstChild);

    frame.tabIndex = 0;
    frame.addEventListener("keydown", function (event) {
      var handled = true;
      if (event.key === "+" || event.key === "=") {
        zoomBy(ZOOM_STEP);
      } else if (event.key === "-") {
        zoomBy(-ZOOM_STEP);
      } else if (event.key === "r" || event.key === "R") {
        rotate();
      } else if (event.key === "0") {
        reset();
      } else {
        handled = false;
      }
      if (handled) {
        event.preventDefault();
      }
    });
    figure.classList.add("viewer--enhanced");
    apply();
  }

  var figures = document.querySelectorAll("figure[data-viewer]");
  for (var i = 0; i < figures.length; i += 1) {
    enhance(figures[i]);
  }
})();
