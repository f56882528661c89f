/* The site's own script: the lobby kiosk mode and the serverless progress lookup. No other host. */
(function () {
  "use strict";
  var IDLE_SECONDS = __IDLE_SECONDS__, ITERATIONS = __ITERATIONS__;
  var me = document.currentScript && document.currentScript.src;
  var base = me ? me.replace(/assets\/shouwen\.js(\?.*)?$/, "") : "/";
  var params = new URLSearchParams(location.search);
  var store = window.sessionStorage;

  /* --- kiosk: entered by opening kiosk/ (or ?kiosk=1), kept for the session of the lobby browser --- */
  if (location.pathname.indexOf("/kiosk/") >= 0 || params.get("kiosk") === "1") store.setItem("sw-kiosk", "1");
  if (params.get("idle")) store.setItem("sw-idle", params.get("idle"));
  var kiosk = store.getItem("sw-kiosk") === "1";
  if (kiosk) {
    document.documentElement.classList.add("sw-kiosk");
    var home = base + "kiosk/";
    var idle = parseFloat(store.getItem("sw-idle")) || IDLE_SECONDS;
    var timer = null;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (location.href.split(/[?#]/)[0] !== home) location.href = home;
        else window.scrollTo(0, 0);
      }, idle * 1000);
    };
    // the page scrolls inside .md-container in the lobby, so scrolling is caught on the way down
    ["touchstart", "pointerdown", "keydown", "scroll", "wheel"].forEach(function (e) {
      document.addEventListener(e, reset, { passive: true, capture: true });
    });
    reset();
    // no way out but the screen's own buttons: no context menu, no selecting text to search it elsewhere
    ["contextmenu", "selectstart", "dragstart"].forEach(function (e) {
      document.addEventListener(e, function (ev) { ev.preventDefault(); }, { capture: true });
    });
    // a lobby screen has no browser buttons: every page gets its own way back, below the page
    // (a row of its own in the layout, so it never lies over the text)
    if (location.href.split(/[?#]/)[0] !== home) {
      var bar = document.createElement("nav");
      bar.className = "sw-kiosk-bar";
      bar.setAttribute("aria-label", "触摸屏导航");
      bar.innerHTML = '<button type="button" class="sw-kiosk-back">返回上一页</button><a href="' + home + '">回到首页</a>';
      bar.querySelector("button").addEventListener("click", function () { history.back(); });
      document.body.appendChild(bar);
    }
  }

  /* Material's search answers key presses only: text pasted or put in by an input method
     (which sends no key) is searched at once too */
  Array.prototype.forEach.call(document.querySelectorAll(".md-search__input"), function (input) {
    input.addEventListener("input", function () {
      input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    });
  });

  /* Material's search dialog has no name of its own; screen readers need one */
  Array.prototype.forEach.call(document.querySelectorAll(".md-search[role=dialog]"), function (d) {
    d.setAttribute("aria-label", "站内搜索");
  });

  /* Zensical's search dialog (in a shadow root of its own) speaks English in this version; the
     public reads Chinese. Its names and placeholder are put into Chinese as it draws them (its
     result count and status lines are put into Chinese in the bundle by the build: publish/zensical.py). */
  var ZH = { "Search": "站内搜索", "Close search": "关闭搜索", "Filters": "筛选", "Search results": "搜索结果", "Tags": "标签" };
  function chinese(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[placeholder], [aria-label]"), function (el) {
      ["placeholder", "aria-label"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v && ZH[v]) el.setAttribute(a, ZH[v]);
      });
    });
  }
  function watch(host) {
    if (!host.shadowRoot || host.swChinese) return;
    host.swChinese = true;
    var busy = false;
    new MutationObserver(function () {
      if (busy) return;
      busy = true; chinese(host.shadowRoot); busy = false;
    }).observe(host.shadowRoot, { subtree: true, childList: true, attributes: true,
                                  attributeFilter: ["placeholder", "aria-label"] });
    chinese(host.shadowRoot);
  }
  Array.prototype.forEach.call(document.body.children, watch);
  new MutationObserver(function (changes) {        // the dialog's host is added once the search is ready
    changes.forEach(function (c) { Array.prototype.forEach.call(c.addedNodes, function (n) { if (n.nodeType === 1) watch(n); }); });
  }).observe(document.body, { childList: true });

  /* --- progress lookup --- */
  var enc = new TextEncoder();
  function hex(b) { return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join(""); }
  var subtle = window.crypto && window.crypto.subtle && params.get("purejs") !== "1" ? window.crypto.subtle : null;

  function derive(id, code) {
    var pw = enc.encode(code), salt = enc.encode("shouwen-lookup:" + id);
    if (!subtle) return Promise.resolve(window.swSha256.pbkdf2(pw, salt, ITERATIONS));
    return subtle.importKey("raw", pw, "PBKDF2", false, ["deriveBits"]).then(function (k) {
      return subtle.deriveBits({ name: "PBKDF2", salt: salt, iterations: ITERATIONS, hash: "SHA-256" }, k, 256);
    }).then(function (bits) { return new Uint8Array(bits); });
  }
  function mac(key, msg) {
    if (!subtle) return Promise.resolve(window.swSha256.hmac(key, msg));
    return subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]).then(function (k) {
      return subtle.sign("HMAC", k, msg);
    }).then(function (s) { return new Uint8Array(s); });
  }
  function counter(n) { return new Uint8Array([n >>> 24, n >>> 16, n >>> 8, n]); }

  function open(key, sealed) {
    var data = Uint8Array.from(atob(sealed), function (c) { return c.charCodeAt(0); });
    return mac(key, enc.encode("encrypt")).then(function (k) {
      var blocks = [];
      for (var i = 0; i * 32 < data.length; i++) blocks.push(mac(k, counter(i)));
      return Promise.all(blocks);
    }).then(function (blocks) {
      var out = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i++) out[i] = data[i] ^ blocks[i >> 5][i & 31];
      return JSON.parse(new TextDecoder().decode(out));
    });
  }

  function lookup(id, code) {
    return derive(id, code).then(function (key) {
      return mac(key, enc.encode("locate")).then(function (h) {
        var loc = hex(h);
        return fetch(base + "lookup/data/" + loc.slice(0, 2) + ".json").then(function (r) {
          return r.ok ? r.json() : {};
        }).then(function (shard) {
          var sealed = shard[loc.slice(2, 22)];
          return sealed ? open(key, sealed) : null;
        });
      });
    });
  }

  /* How many working days an open matter due on `due` is overdue on the build's day, counted here from that day
     and each year's working days (lookup/workdays.json: "W" a working day, "R" a day off), so that a sealed entry
     holds nothing the day alone changes; a year the file lacks counts Monday to Friday. */
  var workdays = null;
  function calendar() {
    if (!workdays) {
      workdays = fetch(base + "lookup/workdays.json").then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return workdays;
  }
  function overdue(due, w) {
    var day = w && w.day, years = (w && w.years) || {};
    due = String(due || "").slice(0, 10);
    if (!day || !due || due >= day) return 0;
    var d = new Date(due + "T00:00:00Z"), end = new Date(day + "T00:00:00Z"), n = 0;
    for (d.setUTCDate(d.getUTCDate() + 1); d <= end; d.setUTCDate(d.getUTCDate() + 1)) {
      var y = d.getUTCFullYear(), flags = years[y], i = Math.round((d - Date.UTC(y, 0, 1)) / 864e5);
      n += flags && i < flags.length ? (flags.charAt(i) === "W" ? 1 : 0) : (d.getUTCDay() % 6 ? 1 : 0);
    }
    return n;
  }

  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function zhDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? m[1] + "年" + parseInt(m[2], 10) + "月" + parseInt(m[3], 10) + "日" : "";
  }
  function row(label, html) { return html ? "<tr><th scope=\"row\">" + label + "</th><td>" + html + "</td></tr>" : ""; }

  /* the result in plain words: where the matter stands, who has it, by when, and what to do next */
  function describe(id, r, asOf, w) {
    var stage = esc(r.stage || r.status);
    if (r.suspended) stage += ' <strong class="sw-paused">已暂停（补正材料）</strong>';
    var due = "";
    if (!r.due && r.suspended && !r.completed) due = "补齐材料后继续计时，届时确定";
    if (r.due && !r.completed) {
      due = zhDate(r.due) + "前办结";
      var late = r.closed ? 0 : overdue(r.due, w);
      // the build day as the page writes it, `YYYY年M月D日`: by code point, so the pattern reads the same anywhere
      var m = /(\d{4})\u5e74(\d{1,2})\u6708(\d{1,2})\u65e5/.exec(asOf || ""), day = m && m[1] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[3]).slice(-2);
      if (late > 0) due += ' <strong class="sw-overdue">已超期 ' + late + " 个工作日</strong>";
      // the calendar did not load: what the page's own day still tells, without a count it can't make
      else if (!w && !r.closed && day && String(r.due).slice(0, 10) < day) due += ' <strong class="sw-overdue">已过承诺办结日期</strong>';
    }
    var pickup = "";
    if (r.pickup) {
      pickup = esc([r.pickup.result && "凭收件回执领取" + r.pickup.result, r.pickup.place && "地点：" + r.pickup.place,
                    r.pickup.hours && "时间：" + r.pickup.hours].filter(Boolean).join("；"));
    }
    return '<table class="sw-found"><caption>事项 ' + esc(id) + "</caption>" +
      row("办理进展", stage) + row("事项", esc(r.service)) + row("承办科室", esc(r.department)) +
      row("登记日期", esc(zhDate(r.registered))) + row("承诺办结", due) +
      row("办结日期", r.completed && esc(zhDate(r.completed))) + row("领取结果", pickup) +
      "</table>" + (asOf ? '<p class="sw-asof">数据截至 ' + esc(asOf) + "</p>" : "");
  }

  var form = document.getElementById("sw-lookup");
  if (form) {
    var out = document.getElementById("sw-result");
    // the receipt's QR code opens lookup/?id=…: the id filled in, the code (never in an address) left to type
    var given = (params.get("id") || "").trim().toUpperCase();
    if (/^[0-9A-Z][0-9A-Z-]{5,40}$/.test(given) && !form.elements.id.value) form.elements.id.value = given;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var id = form.elements.id.value.trim().toUpperCase(), code = form.elements.code.value.trim().toUpperCase();
      out.textContent = "正在查询……";
      lookup(id, code).then(function (r) {
        if (!r) {
          out.innerHTML = '<p class="sw-miss">没有查到：请核对回执上的事项编号和查询码。</p>';
          return;
        }
        return calendar().then(function (w) { out.innerHTML = describe(id, r, out.getAttribute("data-as-of"), w); });
      }).catch(function () { out.textContent = "查询失败，请稍后再试或拨打咨询电话。"; });
    });
    if (kiosk) {   // no keyboard in the lobby: an on-screen keypad types into the focused field
      var pad = document.getElementById("sw-keypad"), target = form.elements.id;
      [form.elements.id, form.elements.code].forEach(function (f) {
        f.setAttribute("inputmode", "none");
        f.addEventListener("focus", function () { target = f; });
      });
      "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ-".split("").concat(["删除"]).forEach(function (k) {
        var b = document.createElement("button");
        b.type = "button"; b.textContent = k; b.setAttribute("aria-label", k === "-" ? "短横线" : k);
        b.addEventListener("click", function () {
          target.value = k === "删除" ? target.value.slice(0, -1) : target.value + k;
        });
        pad.appendChild(b);
      });
      pad.hidden = false;
    }
  }
  window.swLookup = lookup;
  window.swOverdue = overdue;
})();
