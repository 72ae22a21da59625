// Renders the API reference page with Swagger UI: a file of this site, since the
// Content-Security-Policy (script-src 'self') forbids inline scripts.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("podium-api-reference");
  if (root && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: root.dataset.document, domNode: root, deepLinking: true });
  }
});
