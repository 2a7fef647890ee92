// Starts Swagger UI on the API contract served at /openapi.yaml (same origin, no CDN).
// Kept out of index.html so that a Content-Security-Policy can forbid inline scripts.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    // Keep the token across reloads while trying requests out.
    persistAuthorization: true,
    tryItOutEnabled: false,
    displayOperationId: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    // No calls home: no validator badge.
    validatorUrl: null,
  });
});
