import { Layout } from './layout.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Too large',
  421: 'Misdirected request',
  415: 'Unsupported type',
  428: 'Precondition required',
  502: 'Upstream error',
  503: 'Service unavailable',
};

/** Any error as a page: status, the client-safe message, and the request id for support. */
export function ErrorPage(props: { status: number; message: string; requestId: string }) {
  return (
    <Layout title={TITLES[props.status] ?? 'Something went wrong'}>
      <p class="error-message">{props.message}</p>
      <p class="request-id">
        Request id: <code>{props.requestId}</code>
      </p>
      <p>
        <a class="btn" href="/">
          Home
        </a>
      </p>
    </Layout>
  );
}
