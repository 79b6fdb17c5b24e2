// The Cite block's copy buttons and the printed article's date: progressive enhancement only.
// Without this file the references are plain selectable text and the buttons stay hidden.
(function () {
  "use strict";

  var status = document.querySelector(".cite-status");

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(element) {
    var text = element.textContent.replace(/\s+/g, " ").trim();
    if (!navigator.clipboard || !window.isSecureContext) {
      return Promise.reject(new Error("no clipboard"));
    }
    if (window.ClipboardItem && navigator.clipboard.write) {
      // With its italics for a word processor, as plain text for everything else.
      var item = new window.ClipboardItem({
        "text/plain": new Blob([text], { type: "text/plain" }),
        "text/html": new Blob([element.innerHTML], { type: "text/html" })
      });
      return navigator.clipboard.write([item]).catch(function () {
        return navigator.clipboard.writeText(text);
      });
    }
    return navigator.clipboard.writeText(text);
  }

  document.querySelectorAll(".cite-copy[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(target).then(
        function () {
          say("Reference copied.");
        },
        function () {
          select(target);
          say("Reference selected: press Ctrl+C (or Cmd+C) to copy it.");
        }
      );
    });
  });

  var printed = document.querySelector("[data-print-date]");
  if (printed) {
    window.addEventListener("beforeprint", function () {
      var now = new Date();
      var time = document.createElement("time");
      time.setAttribute("datetime", now.toISOString().slice(0, 10));
      time.textContent = now.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
      printed.querySelector(".print-date").replaceChildren(time);
      printed.hidden = false;
    });
  }
})();
