// The ticket page: a button that opens the print dialog (without JavaScript the page says to
// use the browser's Print command).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".print-button");
  if (!button) { return; }
  button.hidden = false;
  var hint = document.querySelector(".print-hint");
  if (hint) { hint.hidden = true; }
  button.addEventListener("click", function () { window.print(); });
});
