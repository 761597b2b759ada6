// The invitation link carries its token after "#": the browser never sends it to the server
// in the address (nor does any access log keep it). Copy it into the form, which posts it,
// and take it out of the address bar and the history.
document.addEventListener("DOMContentLoaded", function () {
  var token = window.location.hash.replace(/^#/, "");
  var field = document.querySelector("input[name=token]");
  if (token && field && !field.value) {
    field.value = decodeURIComponent(token);
    history.replaceState(null, "", window.location.pathname);
  }
});
