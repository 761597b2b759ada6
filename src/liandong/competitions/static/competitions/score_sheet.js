// The judge's score sheet: each score is checked as it is typed (a number, 0 to full marks,
// at most two decimals); 提交并锁定 needs every open score filled and asks for confirmation
// with the number of scores that will lock. The server checks everything again.
(function () {
  "use strict";
  var form = document.querySelector("form.score-sheet");
  if (!form) { return; }
  var full = parseFloat(form.getAttribute("data-full"));
  var fullText = form.getAttribute("data-full");
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".sheet-row input[data-order]"));
  var summary = document.getElementById("sheet-live-errors");
  var dialog = document.getElementById("sheet-confirm");
  var NUMBER = /^\d+(\.\d+)?$/;

  function problem(input, needed, typing) {
    var n = input.getAttribute("data-order");
    var value = input.value.trim();
    if (value === "") { return needed ? n + " 号选手：请填写分数后再提交" : ""; }
    if (typing && /^\d+\.$/.test(value)) { return ""; }  // "9." on the way to "9.5"
    if (!NUMBER.test(value)) { return n + " 号选手：分数“" + value + "”不是数字"; }
    if (parseFloat(value) > full) { return n + " 号选手：分数 " + value + " 超出范围（0–" + fullText + " 分）"; }
    if (value.indexOf(".") >= 0 && value.split(".")[1].length > 2) { return n + " 号选手：分数最多保留两位小数"; }
    return "";
  }

  function mark(input, message) {
    var row = input.closest(".sheet-row");
    var state = document.getElementById(input.id + "-state");
    if (!state.hasAttribute("data-initial")) { state.setAttribute("data-initial", state.innerHTML); }
    row.classList.toggle("invalid", message !== "");
    if (message) {
      input.setAttribute("aria-invalid", "true");
      state.innerHTML = "";
      var error = document.createElement("span");
      error.className = "field-error";
      error.textContent = message;
      state.appendChild(error);
    } else {
      input.removeAttribute("aria-invalid");
      state.innerHTML = input.value.trim() === "" ? state.getAttribute("data-initial") : "待保存";
      if (state.querySelector(".field-error")) { state.textContent = "未评分"; }
    }
  }

  function check(needed) {
    var found = [];
    inputs.forEach(function (input) {
      var message = problem(input, needed, false);
      mark(input, message);
      if (message) { found.push({ input: input, message: message }); }
    });
    return found;
  }

  function showSummary(found) {
    summary.innerHTML = "";
    var lead = document.createElement("p");
    lead.textContent = "有 " + found.length + " 个分数需要更正，已标出：";
    summary.appendChild(lead);
    var list = document.createElement("ul");
    found.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + item.input.id;
      a.textContent = item.message;
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.appendChild(list);
    summary.hidden = false;
    found[0].input.focus();
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () { mark(input, problem(input, false, true)); });
    input.addEventListener("change", function () { mark(input, problem(input, false, false)); });
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var locking = submitter && submitter.hasAttribute("data-confirm-lock");
    var found = check(locking);
    if (found.length) {
      event.preventDefault();
      showSummary(found);
      return;
    }
    summary.hidden = true;
    if (!locking || form.getAttribute("data-confirmed") === "1" || !dialog || !dialog.showModal) { return; }
    event.preventDefault();
    var count = inputs.filter(function (input) { return input.value.trim() !== ""; }).length;
    dialog.querySelector(".sheet-confirm-count").textContent =
      "将提交并锁定 " + count + " 个分数（" + count + " 名选手）。";
    dialog.showModal();
  });

  if (dialog) {
    dialog.querySelector("[data-dialog-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-dialog-confirm]").addEventListener("click", function () {
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "submit";
      form.appendChild(action);
      form.setAttribute("data-confirmed", "1");
      dialog.close();
      form.submit();
    });
  }
})();
