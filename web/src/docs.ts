// The /docs page: Swagger UI over the gateway's OpenAPI 3 document, bundled so the strict
// CSP (script-src 'self') holds. Authorization is asked through the Authorize button and
// kept only for the page's life (persistAuthorization false: no token in localStorage).
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';

SwaggerUI({
  url: '/openapi3.json',
  dom_id: '#swagger-ui',
  // Deep links put a link inside each operation's toggle button: a control nested in a
  // control, which screen readers cannot announce (axe-core's nested-interactive).
  deepLinking: false,
  persistAuthorization: false,
  tryItOutEnabled: false,
  displayRequestDuration: true,
  requestInterceptor: (req: { headers: Record<string, string> }) => {
    req.headers['Accept-Language'] = 'zh-CN';
    return req;
  },
});
