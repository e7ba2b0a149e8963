/* Veille: what every page shares once htmx is there. No inline script anywhere (the CSP forbids it).

   1. After every htmx swap, focus goes where the person expects it, not to <body>:
      - to the element of the new content marked [data-focus] (the confirmation of an action, or the
        next thing to do: « Enfant suivant à vérifier »), made focusable if it is not;
      - otherwise to the first heading or the first field with an error of the new content;
      - otherwise to the swapped element itself.
      The next Tab then reaches what follows it, in reading order.
   2. The live region #annonce of base.html is never swapped: after a swap, the text of the new
      content's [data-annonce] (or its [role=status] / [role=alert]) is written into it, so that screen
      readers announce the outcome once.
   3. A menu marked .repliable folds behind a « Menu » button on a narrow screen.
   4. A table wider than the page scrolls inside its own box (keyboard-focusable, named after its
      caption), so that the page itself never scrolls sideways on a phone.
   5. A part of a form marked [data-selon=<field>][data-valeurs="a b"] shows only while the radio
      button of <field> checked is one of those values (the open-a-case form asks only what the
      origin chosen needs). Hidden, it leaves the reading and the Tab order; its fields are still sent.
*/
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, [tabindex]";

  function focusTarget(root) {
    if (!root || !root.querySelector) return null;
    var marked = root.matches && root.matches("[data-focus]") ? root : root.querySelector("[data-focus]");
    if (marked) return marked;
    var invalid = root.querySelector("[aria-invalid=true]");
    if (invalid) return invalid;
    var heading = root.querySelector("h1, h2, h3, [role=status], [role=alert]");
    if (heading) return heading;
    return root;
  }

  function focus(element) {
    if (!element) return;
    if (!element.matches(FOCUSABLE)) element.setAttribute("tabindex", "-1");
    element.focus({ preventScroll: false });
  }

  var region = null;
  function announce(text) {
    region = region || document.getElementById("annonce");
    if (!region || !text) return;
    // Emptied first, then filled on the next frame: the same sentence twice is announced twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function announcementOf(root) {
    if (!root || !root.querySelector) return "";
    var source = root.matches && root.matches("[data-annonce]") ? root : root.querySelector("[data-annonce]");
    if (!source) source = root.querySelector("[role=alert], [role=status]");
    if (!source) return "";
    return (source.getAttribute("data-annonce") || source.textContent || "").replace(/\s+/g, " ").trim();
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    // A form refused by the server (400, 422) is shown with its errors, not dropped.
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status === 400 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // On afterSwap, not afterSettle: settling waits some milliseconds, during which the focus would be
  // on <body> (the button pressed has left the page) for a screen reader or a quick Tab.
  document.addEventListener("htmx:afterSwap", function (event) {
    // For an outerHTML swap the old target has left the page: the new content carries the same id.
    var target = event.detail.target;
    var root = target && target.isConnected ? target : (target && target.id ? document.getElementById(target.id) : null);
    // Tables are wrapped before focus moves: moving a node later would drop the focus inside it.
    wrapTables(document);
    if (!root) return;
    var text = announcementOf(root);
    if (text) announce(text);
    // Polling (the progress of a crossing) must not pull focus from where the person is reading,
    // until the content itself says where to go ([data-focus], the end of the crossing).
    var polling = /every/.test(root.getAttribute("hx-trigger") || "") || root.hasAttribute("data-sans-focus");
    if (polling && !root.querySelector("[data-focus]")) return;
    focus(focusTarget(root));
  });

  // 3. The folding menu of narrow screens.
  function fold(nav, index) {
    if (!nav.id) nav.id = "menu-repliable-" + index;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-bouton secondaire";
    button.setAttribute("aria-controls", nav.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = nav.getAttribute("data-bouton") || "Menu";
    nav.parentNode.insertBefore(button, nav);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
  }

  // 4. Wide tables.
  function nameOf(table) {
    var caption = table.querySelector("caption");
    return table.getAttribute("aria-label") || (caption && caption.textContent.trim()) || "Tableau";
  }

  function wrapTables(root) {
    var tables = (root || document).querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var box = table.parentNode;
      if (!box.classList || !box.classList.contains("defilement")) {
        box = document.createElement("div");
        box.className = "defilement";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      // Only a box that does scroll is a stop for the keyboard (and named for a screen reader).
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(table) + " (défile horizontalement)");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { wrapTables(document); }, 150);
  });

  // 5. Parts of a form that depend on a choice.
  function showChosen(form) {
    var parts = form.querySelectorAll("[data-selon]");
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      var checked = form.querySelector("input[name='" + part.getAttribute("data-selon") + "']:checked");
      var wanted = (part.getAttribute("data-valeurs") || "").split(/\s+/);
      part.hidden = !checked || wanted.indexOf(checked.value) < 0;
    }
  }

  function followChoices(root) {
    var forms = (root || document).querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-selon]") || form.hasAttribute("data-suit-choix")) continue;
      form.setAttribute("data-suit-choix", "");
      form.addEventListener("change", function (event) { showChosen(event.currentTarget); });
      showChosen(form);
    }
  }

  function ready() {
    var navs = document.querySelectorAll("nav.repliable");
    for (var i = 0; i < navs.length; i++) fold(navs[i], i);
    wrapTables(document);
    followChoices(document);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
