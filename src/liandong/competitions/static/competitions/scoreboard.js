// The live scoreboard: fetch the board again every 5 seconds and swap it in place.
(function () {
  var board = document.getElementById("board");
  if (!board) { return; }
  var every = parseInt(board.getAttribute("data-refresh") || "5", 10) * 1000;
  function refresh() {
    fetch(board.getAttribute("data-url"), { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { board.innerHTML = html; } })
      .catch(function () {})
      .then(function () { setTimeout(refresh, every); });
  }
  setTimeout(refresh, every);
})();
