// Follows a lot live: the price, the bid history and the end as late bids move it, and a
// countdown by the server's clock (never the phone's). Without this script the page still
// shows all of it as of loading, and the forms still bid.
(function () {
  "use strict";
  var section = document.querySelector("[data-lot-live]");
  var initial = document.getElementById("lot-state");
  if (!section || !initial || !window.WebSocket) return;
  var text = section.dataset;
  var state = JSON.parse(initial.textContent);
  var offset = 0; // server clock minus this device's, in seconds
  var timeZone = text.timeZone || undefined;
  var statusEl = section.querySelector("[data-live-status]");
  var countdown = section.querySelector("[data-countdown]");
  var reloading = false;

  function yuan(fen) {
    var whole = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + whole + "." + String(fen % 100).padStart(2, "0");
  }

  function when(seconds) {
    var parts = new Intl.DateTimeFormat("sv-SE", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    }).format(new Date(seconds * 1000));
    return parts.replace("T", " ");
  }

  function pad(n) { return String(n).padStart(2, "0"); }

  function tick() {
    if (!countdown || state.ends_at === null) return;
    var left = Math.max(0, Math.floor(state.ends_at - (Date.now() / 1000 + offset)));
    if (left === 0) {
      countdown.textContent = text.ended;
      return;
    }
    var days = Math.floor(left / 86400);
    left %= 86400;
    var clock = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
    countdown.textContent = days ? days + text.daysSuffix + " " + clock : clock;
  }

  function row(bid) {
    var tr = document.createElement("tr");
    var cells = [
      ["#", String(bid.seq)],
      [text.labelBidder, bid.code],
      [text.labelAmount, yuan(bid.amount_fen)],
      [text.labelTime, when(bid.placed_at)],
    ];
    cells.forEach(function (cell, index) {
      var td = document.createElement("td");
      td.dataset.label = cell[0];
      td.textContent = cell[1];
      if (index === 1 && bid.by_proxy) td.append(" ", tag(text.automatic));
      if (index === 1 && bid.matched) td.append(" ", tag(text.priority));
      if (index === 2) td.className = "num";
      tr.appendChild(td);
    });
    tr.dataset.seq = bid.seq;
    return tr;
  }

  function tag(label) {
    var span = document.createElement("span");
    span.className = "tag";
    span.textContent = label;
    return span;
  }

  function apply(next) {
    if (!next || next.bid_count < state.bid_count) return; // an older snapshot
    var before = state.bid_count;
    var closedNow = next.closed && !state.closed;
    state = next;
    var price = section.querySelector("[data-price]");
    if (price && next.current_price_fen !== null) price.textContent = yuan(next.current_price_fen);
    var count = section.querySelector("[data-bid-count]");
    if (count) count.textContent = next.bid_count;
    var ends = section.querySelector("[data-ends-at]");
    if (ends && next.ends_at !== null) ends.textContent = when(next.ends_at);
    var body = section.querySelector("[data-bid-history]");
    if (body && next.bids.length) {
      var empty = body.querySelector("[data-no-bids]");
      if (empty) empty.remove();
      var first = body.querySelector("tr[data-seq]");
      var shown = first ? Number(first.dataset.seq) : 0;
      next.bids.slice().reverse().forEach(function (bid) {
        if (bid.seq > shown) body.insertBefore(row(bid), body.firstChild);
      });
    }
    if (next.bid_count > before && statusEl && next.bids.length) {
      statusEl.textContent = text.newBid.replace("%(code)s", next.bids[0].code).replace("%(amount)s", yuan(next.bids[0].amount_fen));
    }
    // A bid that raised the price changes what this bidder may bid, and the close
    // changes the whole page: take the page again from the server.
    var minimum = section.querySelector("[data-minimum]");
    var mine = section.querySelector("[data-my-code]");
    var outbid = mine && next.leading_code && next.leading_code !== mine.textContent;
    var lead = mine && next.leading_code === mine.textContent && minimum;
    if (!reloading && (closedNow || (next.bid_count > before && (outbid || lead)))) {
      var field = section.querySelector("input[name=amount]:not([type=hidden])");
      if (!field || !field.value || closedNow) {
        reloading = true;
        window.location.reload();
      } else if (minimum) {
        minimum.textContent = text.priceChanged;
      }
    }
    tick();
  }

  function connect(delay) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + text.wsPath);
    socket.onopen = function () {
      delay = 1000;
      if (statusEl) statusEl.textContent = text.live;
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.server_time) offset = data.server_time - Date.now() / 1000;
      if (data.type === "state") apply(data.state);
    };
    socket.onclose = function (event) {
      if (event.code === 4404) return;
      if (statusEl) statusEl.textContent = text.reconnecting;
      setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    };
  }

  setInterval(tick, 1000);
  connect(1000);
})();
