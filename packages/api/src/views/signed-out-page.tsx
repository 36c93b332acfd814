import { Layout } from './layout.js';

/** Where the provider sends the browser back after sign-out. */
export function SignedOutPage() {
  return (
    <Layout title="Signed out">
      <p>You are signed out of the directory and of the identity provider.</p>
      <p>
        <a class="btn primary" href="/auth/login">
          Sign in again
        </a>
      </p>
    </Layout>
  );
}
