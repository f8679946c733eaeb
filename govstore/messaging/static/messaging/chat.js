/* Live conversation: the page already reads and sends with plain form posts; with this
   script a text message goes over a WebSocket and messages from the other side appear
   without a reload, with a typing hint and read receipts.

   Every message carries its seq (1, 2, 3... within the conversation). The script keeps
   the highest seq it has shown and ignores anything at or below it (except the new
   state of a message it shows: recalled or filed). Seeing a seq beyond the next one
   means something was missed: it reconnects asking for everything after the last seq,
   as it does after any lost connection, with a growing pause between tries. So a
   message is never shown twice and never skipped.

   Ids, URLs and texts come from data attributes, so the page speaks the reader's
   language and no script sits inside the page. */
(function () {
  "use strict";

  var BACKOFF_START_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var PING_MS = 60000;
  var TYPING_SEND_MS = 3000;
  var TYPING_SHOW_MS = 4000;

  function start(root) {
    var path = root.dataset.socketPath;
    if (!path || !window.WebSocket) {
      return; // the plain form keeps working
    }
    var list = root.querySelector("[data-chat-list]");
    var status = root.querySelector("[data-chat-status]");
    var typingLine = root.querySelector("[data-chat-typing]");
    var fileTemplate = root.querySelector("template[data-file-template]");
    var form = document.querySelector("[data-chat-form]");
    var textarea = form && form.querySelector("textarea");
    var fileInput = form && form.querySelector("input[type=file]");
    var errorLine = form && form.querySelector("[data-chat-error]");
    var texts = root.dataset;
    var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;

    var lastSeq = parseInt(root.dataset.lastSeq, 10) || 0;
    var since = null; // server time of the last hello: changes after it arrive live
    var mySide = root.dataset.mySide;
    var myId = root.dataset.myId;
    var recallSeconds = parseInt(root.dataset.recallSeconds, 10) || 0;
    var socket = null;
    var backoff = BACKOFF_START_MS;
    var refused = false;
    var pingTimer = null;
    var typingTimer = null;
    var lastTypingSent = 0;
    var pending = {}; // client_id -> the text being sent
    var clientCounter = 0;

    function say(text) { if (status) { status.textContent = text || ""; } }

    function showError(text) {
      if (!errorLine) { return; }
      errorLine.textContent = text || "";
      errorLine.hidden = !text;
    }

    function textWithBreaks(element, text) {
      // Text nodes only: whatever the message holds (tags, scripts) shows as typed.
      var parts = String(text).split("\n");
      for (var i = 0; i < parts.length; i++) {
        if (i) { element.appendChild(document.createElement("br")); }
        element.appendChild(document.createTextNode(parts[i]));
      }
    }

    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }

    function render(message) {
      var own = message.side === mySide;
      var item = el("li", "chat-message chat-message--" + (own ? "own" : "other") +
        (message.recalled ? " chat-message--recalled" : ""));
      item.id = "m" + message.seq;
      item.dataset.seq = message.seq;
      var meta = el("p", "chat-message__meta");
      meta.appendChild(el("span", "chat-message__sender", english ? message.label.en : message.label.zh));
      meta.appendChild(document.createTextNode(" "));
      var time = el("time", "", message.time);
      time.setAttribute("datetime", message.created_at);
      meta.appendChild(time);
      item.appendChild(meta);
      if (message.recalled) {
        item.appendChild(el("p", "chat-message__body chat-message__body--recalled", texts.textRecalled));
        return item;
      }
      if (message.body) {
        var body = el("p", "chat-message__body");
        textWithBreaks(body, message.body);
        item.appendChild(body);
      }
      if (message.image) {
        var link = el("a", "chat-message__photo");
        link.href = message.image;
        var image = el("img");
        image.src = message.image;
        image.alt = texts.textPhoto;
        link.appendChild(image);
        item.appendChild(link);
      }
      if (message.filed_as) {
        item.appendChild(el("p", "chat-message__filed", texts.textFiled));
      }
      var age = (Date.now() - Date.parse(message.created_at)) / 1000;
      if (String(message.sender) === myId && age < recallSeconds) {
        var recall = el("button", "link-button", texts.textRecall);
        recall.type = "button";
        recall.dataset.recall = message.seq;
        var holder = el("p", "chat-message__action");
        holder.appendChild(recall);
        item.appendChild(holder);
        // The button goes when the window closes; the server refuses later tries anyway.
        window.setTimeout(function () { holder.remove(); }, Math.max(0, (recallSeconds - age) * 1000));
      }
      if (fileTemplate && message.image && message.side === "citizen" && !message.filed_as) {
        var filing = fileTemplate.content.firstElementChild.cloneNode(true);
        filing.action = filing.getAttribute("action").replace(/\/0\/file\/$/, "/" + message.seq + "/file/");
        var select = filing.querySelector("select");
        var label = filing.querySelector("label");
        select.id = "file-" + message.seq;
        label.htmlFor = select.id;
        item.appendChild(filing);
      }
      return item;
    }

    function removeEmptyNote() {
      var empty = list.querySelector("[data-chat-empty]");
      if (empty) { empty.remove(); }
    }

    function showMessage(message) {
      if (message.seq <= lastSeq) {
        // Already shown: replace it only if it changed (recalled or filed).
        var shown = document.getElementById("m" + message.seq);
        if (shown && (message.recalled || message.filed_as)) {
          shown.replaceWith(render(message));
        }
        return;
      }
      if (message.seq > lastSeq + 1) {
        // A gap: fetch from the last one shown, in order.
        reconnect(0);
        return;
      }
      removeEmptyNote();
      if (message.client_id && pending[message.client_id] !== undefined) {
        delete pending[message.client_id];
        say("");
      }
      list.appendChild(render(message));
      lastSeq = message.seq;
      root.dataset.lastSeq = String(lastSeq);
      if (message.side !== mySide) {
        if (typingLine) { typingLine.hidden = true; }
        markRead();
      } else {
        say("");
      }
      list.lastElementChild.scrollIntoView({ block: "nearest" });
    }

    function markRead() {
      if (mySide && document.visibilityState === "visible") {
        send({ type: "read", seq: lastSeq });
      }
    }

    function send(payload) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(payload));
        return true;
      }
      return false;
    }

    function onEvent(event) {
      var data;
      try { data = JSON.parse(event.data); } catch (error) { return; }
      if (data.type === "hello") {
        since = data.server_time;
        backoff = BACKOFF_START_MS;
        say(texts.textOnline);
      } else if (data.type === "message") {
        showMessage(data);
      } else if (data.type === "typing" && data.side !== mySide && typingLine) {
        typingLine.textContent = texts.textTyping;
        typingLine.hidden = false;
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(function () { typingLine.hidden = true; }, TYPING_SHOW_MS);
      } else if (data.type === "read" && data.side !== mySide) {
        if (data.seq >= lastSeq) { say(texts.textRead); }
      } else if (data.type === "error") {
        if (data.client_id && pending[data.client_id] !== undefined) {
          if (textarea && !textarea.value) { textarea.value = pending[data.client_id]; }
          delete pending[data.client_id];
        }
        say("");
        showError(data.message);
      }
    }

    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var url = scheme + window.location.host + path + "?after=" + lastSeq +
        (since !== null ? "&since=" + encodeURIComponent(since) : "");
      socket = new WebSocket(url);
      socket.onmessage = onEvent;
      socket.onclose = function (event) {
        window.clearInterval(pingTimer);
        if (event.code === 4403) {
          refused = true; // not signed in any more, or not ours: the page still posts
          say("");
          return;
        }
        say(texts.textOffline);
        reconnect(backoff);
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      };
      socket.onopen = function () {
        window.clearInterval(pingTimer);
        pingTimer = window.setInterval(function () { send({ type: "ping" }); }, PING_MS);
      };
    }

    var reconnectTimer = null;
    function reconnect(delay) {
      if (refused) { return; }
      window.clearTimeout(reconnectTimer);
      if (socket && socket.readyState <= WebSocket.OPEN) {
        socket.onclose = null;
        socket.close();
      }
      // A little jitter so many pages do not come back at the same instant.
      reconnectTimer = window.setTimeout(connect, delay ? delay + Math.random() * 500 : 0);
    }

    if (form && textarea) {
      form.addEventListener("submit", function (event) {
        var hasFile = fileInput && fileInput.files && fileInput.files.length;
        if (hasFile || !textarea.value.trim()) {
          return; // photos and empty sends go by the form: the server answers in words
        }
        clientCounter += 1;
        var clientId = myId + "-" + Date.now() + "-" + clientCounter;
        if (!send({ type: "send", body: textarea.value, client_id: clientId })) {
          return; // not connected: post the form instead
        }
        event.preventDefault();
        pending[clientId] = textarea.value;
        textarea.value = "";
        showError("");
        say(texts.textSending);
      });
      textarea.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTypingSent > TYPING_SEND_MS) {
          lastTypingSent = now;
          send({ type: "typing" });
        }
      });
    }

    document.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof Element)) { return; }
      var quick = target.closest("[data-quick-reply]");
      if (quick && textarea) {
        event.preventDefault();
        textarea.value = quick.dataset.quickReply;
        textarea.focus();
        return;
      }
      var recall = target.closest("[data-recall]");
      if (recall && send({ type: "recall", seq: parseInt(recall.dataset.recall, 10) })) {
        event.preventDefault();
      }
    });

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { markRead(); }
    });
    window.addEventListener("online", function () { reconnect(0); });

    connect();
  }

  var roots = document.querySelectorAll("[data-chat]");
  for (var i = 0; i < roots.length; i++) { start(roots[i]); }
}());
