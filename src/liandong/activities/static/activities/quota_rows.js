// 名额分配: "添加一行" appends a blank row (the form works without it: three blank rows are
// always there). Rows are numbered for labels and messages.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-quota-rows]")) {
    const list = box.querySelector("[data-quota-list]");
    const template = box.querySelector("[data-quota-template]");
    const total = box.querySelector('input[name$="-TOTAL_FORMS"]');
    const add = box.querySelector("[data-quota-add]");
    const hint = box.querySelector("[data-quota-nojs]");
    if (!list || !template || !total || !add) continue;
    add.hidden = false;
    if (hint) hint.hidden = true;
    add.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML
        .replaceAll("__prefix__", String(index))
        .replaceAll("__number__", String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const select = list.lastElementChild && list.lastElementChild.querySelector("select");
      if (select) select.focus();
    });
  }
});
