import type { InstanceInfoView } from '../info/instance-info.js';
import { STRESS_MINUTES } from '../stress/cpu-stress.js';
import { CsrfField } from './hidden-fields.js';
import { Layout } from './layout.js';

function Where(props: { info: InstanceInfoView }) {
  const { info } = props;
  switch (info.kind) {
    case 'ec2':
      return (
        <dl class="details">
          <dt>Instance ID</dt>
          <dd>{info.instanceId}</dd>
          <dt>Availability Zone</dt>
          <dd>{info.availabilityZone}</dd>
          <dt>Instance Type</dt>
          <dd>{info.instanceType}</dd>
        </dl>
      );
    case 'lambda':
      return <p>Running on AWS Lambda (function {info.functionName}); there is no EC2 instance.</p>;
    case 'not-ec2':
      return <p>Not running on EC2: no instance metadata daemon is configured.</p>;
    default:
      return <p>Instance information is unavailable right now.</p>;
  }
}

/** Where the service runs, and the CPU stress buttons for auto-scaling demos. */
export function InfoPage(props: {
  info: InstanceInfoView;
  stressAvailable: boolean;
  stressUntil: string | undefined;
  csrfToken: string;
  flash: string | undefined;
}) {
  return (
    <Layout title="Instance Information" flash={props.flash}>
      <Where info={props.info} />
      {props.stressAvailable ? (
        <section class="stress">
          <h2>Stress the CPU</h2>
          {props.stressUntil ? (
            <p role="status">CPU stress running until {props.stressUntil}.</p>
          ) : (
            <p>Load every core for a while, to watch auto-scaling react.</p>
          )}
          <form method="post" action="/info/stress" class="inline">
            <CsrfField token={props.csrfToken} />
            {STRESS_MINUTES.map((minutes) => (
              <button type="submit" class="btn" name="minutes" value={String(minutes)}>
                {minutes} min
              </button>
            ))}
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
