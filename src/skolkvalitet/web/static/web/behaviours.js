/* Small page behaviours declared in the markup, so that templates need no inline script or
 * event handler attribute (the Content-Security-Policy allows scripts from the app's own
 * files only, see docs/security.md):
 *   <select data-autosubmit>            submits its form when the choice changes (the form
 *                                       keeps a <noscript> button for use without scripts);
 *   <form data-confirm="Question?">     asks the question before the form is sent and sends
 *                                       it only when the user agrees.
 * Listeners sit on the document, so elements that htmx swaps in work too. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.matches || !target.matches("select[data-autosubmit]")) {
      return;
    }
    var form = target.form;
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-confirm]")) {
      return;
    }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
