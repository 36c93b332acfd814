import type { OpenApiDocument } from '../openapi/openapi-document.js';
import { Layout } from './layout.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  summary?: string;
  parameters?: readonly { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string }>;
}

/** The OpenAPI document as a plain page: no script, no CDN. */
export function DocsPage(props: { doc: OpenApiDocument }) {
  const { doc } = props;
  return (
    <Layout title={doc.info.title}>
      <div class="docs">
        <p>{doc.info.description}</p>
        <p>
          Machine-readable: <a href="/openapi.json">/openapi.json</a>
        </p>
        {Object.entries(doc.paths).map(([path, item]) =>
          METHODS.filter((method) => method in item).map((method) => {
            const op = (item as Record<string, unknown>)[method] as Operation;
            return (
              <section class="op" id={`${method}-${path}`}>
                <h2>
                  <span class="method">{method.toUpperCase()}</span> <code>{path}</code>
                </h2>
                <p>{op.summary}</p>
                {op.parameters?.length ? (
                  <p>
                    Parameters:{' '}
                    {op.parameters
                      .map((p) => `${p.name} (${p.in}${p.required ? ', required' : ''})`)
                      .join('; ')}
                  </p>
                ) : null}
                {op.requestBody ? (
                  <p>Body: {Object.keys(op.requestBody.content).join(', ')}</p>
                ) : null}
                <ul>
                  {Object.entries(op.responses).map(([status, response]) => (
                    <li>
                      <code>{status}</code> {response.description}
                    </li>
                  ))}
                </ul>
              </section>
            );
          }),
        )}
        <h2>Schemas</h2>
        {Object.entries(doc.components.schemas).map(([name, schema]) => (
          <section id={`schema-${name}`}>
            <h3>{name}</h3>
            {/* Long schemas scroll: a keyboard user must be able to focus the box to scroll it. */}
            <pre tabindex={0}>{JSON.stringify(schema, null, 2)}</pre>
          </section>
        ))}
      </div>
    </Layout>
  );
}
