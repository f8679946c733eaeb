/* Document upload: when the browser can, shrink a large photo before sending it and show
   how far the upload has got. Without this script (or in a browser without canvas or
   XMLHttpRequest upload events) the form posts the file as it is, which works too.

   The form opts in with data-upload; its texts come from data attributes so that the
   page, not the script, speaks the citizen's language. */
(function () {
  "use strict";

  // Photos are shrunk on the server to this long side anyway; sending more is waste.
  var LONG_SIDE_MAX = 2400;
  var JPEG_QUALITY = 0.85;
  // Types a browser can draw into a canvas. HEIC/HEIF and PDF are sent untouched.
  var DRAWABLE = ["image/jpeg", "image/png", "image/webp"];

  function supported() {
    var xhr = window.XMLHttpRequest && new XMLHttpRequest();
    return !!(xhr && xhr.upload && window.FormData && window.URL && URL.createObjectURL &&
      document.createElement("canvas").toBlob);
  }

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { resolve({ image: image, url: url }); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("undecodable")); };
      image.src = url;
    });
  }

  function jpegName(name) {
    var stem = name.replace(/\.[^.\/\\]*$/, "") || "photo";
    return stem + ".jpg";
  }

  // Resolves with the file to send: a smaller JPEG, or the original when it is small
  // enough, not drawable, or anything goes wrong (the server does the real checks).
  function shrink(file) {
    if (DRAWABLE.indexOf(file.type) === -1) {
      return Promise.resolve(file);
    }
    return loadImage(file).then(function (loaded) {
      var image = loaded.image;
      // Browsers apply the EXIF orientation when they draw an <img>, so the canvas gets
      // the photo the right way up even though the EXIF itself is dropped.
      var width = image.naturalWidth;
      var height = image.naturalHeight;
      var longSide = Math.max(width, height);
      if (longSide <= LONG_SIDE_MAX) {
        URL.revokeObjectURL(loaded.url);
        return file;
      }
      var scale = LONG_SIDE_MAX / longSide;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff"; // a transparent PNG must not turn black as JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(loaded.url);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) {
            resolve(file);
            return;
          }
          resolve(new File([blob], jpegName(file.name), { type: "image/jpeg" }));
        }, "image/jpeg", JPEG_QUALITY);
      });
    }).catch(function () { return file; });
  }

  function percent(loaded, total) {
    return total ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
  }

  // The server answered with a page that has errors on it: show its main content in
  // place (the error summary and the message beside the field), then start again.
  function showPage(html, status) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var main = parsed.querySelector("main");
    var current = document.querySelector("main");
    if (!main || !current) {
      document.body.textContent = String(status);
      return;
    }
    current.replaceWith(main);
    document.title = parsed.title;
    var summary = main.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
    init(main);
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector("[data-upload-status]");
    var bar = form.querySelector("progress");
    var message = form.querySelector("[data-upload-message]");
    var button = form.querySelector("button[type=submit]");
    if (!input || !status || !bar || !message) {
      return;
    }

    function say(text) { message.textContent = text; }

    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      if (!file) {
        return; // let the server say that a file is needed
      }
      event.preventDefault();
      if (button) { button.disabled = true; }
      status.hidden = false;
      bar.value = 0;
      say(form.dataset.preparing);

      shrink(file).then(function (toSend) {
        var data = new FormData(form);
        data.set(input.name, toSend, toSend.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.upload.addEventListener("progress", function (progress) {
          if (progress.lengthComputable) {
            var done = percent(progress.loaded, progress.total);
            bar.value = done;
            say(form.dataset.uploading + " " + done + "%");
          }
        });
        xhr.upload.addEventListener("load", function () {
          bar.value = 100;
          say(form.dataset.checking);
        });
        xhr.addEventListener("load", function () {
          // Success ends in a redirect that XMLHttpRequest has already followed: go to
          // the page it led to. Anything else is the same page with its errors.
          var redirected = xhr.responseURL && xhr.responseURL.split("#")[0] !== form.action;
          if (xhr.status >= 200 && xhr.status < 300 && redirected) {
            window.location.assign(xhr.responseURL);
          } else {
            showPage(xhr.responseText, xhr.status);
          }
        });
        xhr.addEventListener("error", function () {
          if (button) { button.disabled = false; }
          say(form.dataset.failed);
        });
        xhr.send(data);
      });
    });
  }

  function init(root) {
    if (!supported()) {
      return;
    }
    var forms = root.querySelectorAll("form[data-upload]");
    for (var i = 0; i < forms.length; i += 1) {
      enhance(forms[i]);
    }
  }

  init(document);
})();
