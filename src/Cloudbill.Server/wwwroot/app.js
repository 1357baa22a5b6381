// "Load more": the link works without script (it opens the next page); with it, the next
// page's rows are appended to the list, so a selection made above is kept.
document.addEventListener("click", async (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-load-more]") : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const list = document.querySelector("[data-load-more-list]");
  if (!list || link.getAttribute("aria-busy") === "true") return;
  link.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(link.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) { window.location.href = link.href; return; }
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    next.querySelectorAll("[data-load-more-list] > li").forEach((item) => list.appendChild(document.adoptNode(item)));
    const more = next.querySelector("a[data-load-more]");
    if (more) link.setAttribute("href", more.getAttribute("href"));
    else link.remove();
  } finally {
    link.removeAttribute("aria-busy");
  }
}, true);

// Every page view, full or enhanced, gets a fresh marker: the browser tests wait for it after a tap.
const markView = () => { document.documentElement.dataset.view = Math.random().toString(36).slice(2); };
markView();
if (window.Blazor) window.Blazor.addEventListener("enhancedload", markView);

// A form marked data-submit-once sends one request per page view: a double tap on Change
// password must not send the old password again after the first request has changed it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
  if (form.dataset.submitted === "true") {
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  form.dataset.submitted = "true";
}, true);
