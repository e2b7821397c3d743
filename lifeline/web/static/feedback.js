// "Was this helpful?": one click posts the vote, then thanks the reader.
const section = document.querySelector(".feedback");
if (section) {
  section.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-helpful]");
    if (!button) return;
    const response = await fetch(`/api/v1/kb/articles/${encodeURIComponent(section.dataset.slug)}/feedback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ lang: section.dataset.lang, helpful: button.dataset.helpful === "true" }),
    });
    if (response.ok) {
      section.querySelectorAll("button").forEach((b) => (b.disabled = true));
      section.querySelector(".thanks").hidden = false;
    }
  });
}
