// The receipt's 复制查询码 button: the Clipboard API where the browser allows it (a secure
// page); otherwise the code is selected and the page says how to copy it by hand.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("copy-code");
  var code = document.getElementById("tracking-code");
  var status = document.getElementById("copy-status");
  if (!button || !code || !status) return;
  button.hidden = false;
  function selectCode() {
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function fallback() {
    selectCode();
    status.textContent = "已选中查询码，请长按或按 Ctrl+C 复制。";
  }
  button.addEventListener("click", function () {
    var text = code.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        status.textContent = "查询码 " + text + " 已复制。";
      }, fallback);
    } else {
      fallback();
    }
  });
});
