// The little behaviour our pages need, asked for with data attributes: the Content-Security-Policy
// allows no inline script or on*= handler. Listeners sit on the document, so content that htmx
// swaps in later works too.
//   <select data-autosubmit>            submits its form when the choice changes
//   <form data-confirm="Question?">     asks before submitting
//   <button data-copy-target="#id">     copies the target field's value (or text) to the clipboard
//   <form data-preview-base="/…/preview/"> with a select named "partner": goes to base + partner + "/"
(function () {
  "use strict";

  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit")) return;
    const form = select.form;
    if (!form) return;
    // requestSubmit fires the submit event (so data-confirm still asks); submit() would not.
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  });

  // Capture phase: decide before htmx or anything bound on the form itself sees the submit.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (form.dataset.previewBase !== undefined && form.elements.partner) {
      event.preventDefault();
      window.location.assign(
        form.dataset.previewBase + encodeURIComponent(form.elements.partner.value) + "/");
    }
  }, true);

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-copy-target]");
    if (!button) return;
    const source = document.querySelector(button.dataset.copyTarget);
    if (!source) return;
    const text = "value" in source ? source.value : source.textContent;
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    const say = (message) => {
      button.textContent = message;
      window.setTimeout(() => { button.textContent = label; }, 2000);
    };
    if (!navigator.clipboard) {
      if (source.select) source.select();
      say("Press Ctrl+C");
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => say("Copied"),
      () => {
        // No clipboard access (an insecure origin, or the browser said no): select it instead.
        if (source.select) source.select();
        say("Press Ctrl+C");
      },
    );
  });
})();

// <div data-width="42">: a bar drawn at 42% wide (progress bars; the CSP allows no style="…").
(function () {
  "use strict";
  const widen = (root) => {
    root.querySelectorAll("[data-width]").forEach((bar) => {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.width) || 0)) + "%";
    });
  };
  document.addEventListener("DOMContentLoaded", () => widen(document));
  document.addEventListener("htmx:afterSwap", (event) => widen(event.detail.elt.parentNode || document));
})();
