// The public form's category hint: as the worker types, ask the server which category the
// text most likely belongs to and offer it; the worker may take it or choose another.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form) return;
  var text = form.querySelector("#id_description");
  var select = form.querySelector("#id_category");
  var hint = document.getElementById("category-hint");
  var words = document.getElementById("category-hint-text");
  var take = document.getElementById("category-hint-take");
  if (!text || !select || !hint) return;
  var timer = null, last = "", guess = null, chosen = false;
  select.addEventListener("change", function () { chosen = true; show(); });
  take.addEventListener("click", function () {
    if (!guess) return;
    select.value = guess.category;
    chosen = true;
    show();
  });
  function show() {
    if (!guess) { hint.hidden = true; return; }
    hint.hidden = false;
    if (select.value === guess.category) {
      words.textContent = "已选择类别：" + guess.label + "（可在下方“诉求类别”中修改）";
      take.hidden = true;
    } else {
      words.textContent = guess.message;
      take.hidden = false;
    }
  }
  function ask() {
    var value = text.value.trim();
    if (value === last) return;
    last = value;
    fetch(form.getAttribute("data-suggest-url"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ description: value.slice(0, 2000) }),
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      guess = data && data.category ? data : null;
      show();
    }).catch(function () { /* no hint: the form works without it */ });
  }
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 600);
  });
  if (text.value.trim()) ask();
})();
