#!/bin/bash
# Boots one employee-directory instance on Amazon Linux 2023: Node.js 22 from the distribution's
# own repositories, the IMDS guard (only root and the imds-cache daemon may reach the instance
# metadata service), the release artefact from the artefact bucket, then the systemd units.
# Nothing comes from outside AWS: dnf's repositories and the artefact both live in S3, which the
# private subnets reach through the VPC's gateway endpoint (the NAT gateway is for Cognito sign-in).
# The launch template prepends the exports checked below (see the `user-data` fragment in ec2.yaml).
set -euo pipefail
umask 022

: "${STAGE:?}" "${AWS_REGION:?}" "${ARTIFACT_BUCKET:?}" "${ARTIFACT_KEY:?}"
: "${PHOTOS_BUCKET:?}" "${TABLE_NAME:?}" "${SESSION_SECRET_ARN:?}" "${ARTIFACT_SHA256:?}" "${CFN_STACK:?}"
: "${OIDC_ISSUER:?}" "${OIDC_CLIENT_ID:?}" "${OIDC_AUDIENCE:?}" "${OIDC_REDIRECT_URI:?}"
: "${OIDC_POST_LOGOUT_REDIRECT_URI:?}" "${OIDC_END_SESSION_URL:?}"
: "${API_ROLE_ARN:?}" "${VPC_CIDR:?}" "${TRUSTED_HOSTS:?}"
DOMAIN_NAME="${DOMAIN_NAME:-}"
# Where things go; the units expect these defaults, a test points them at a scratch directory.
INSTALL_ROOT="${INSTALL_ROOT:-/opt/empdir}"
CONFIG_DIR="${CONFIG_DIR:-/etc/empdir}"
UNIT_DIR="${UNIT_DIR:-/etc/systemd/system}"
IMDS_CACHE_CONFIG_DIR="${IMDS_CACHE_CONFIG_DIR:-/etc/imds-cache}"
NFT_DIR="${NFT_DIR:-/etc/nftables}"
NODE_BIN="${NODE_BIN:-/usr/bin/node-22}"
CFN_SIGNAL="${CFN_SIGNAL:-/opt/aws/bin/cfn-signal}"
READY_URL="${READY_URL:-http://127.0.0.1:8080/readyz}"
READY_ATTEMPTS="${READY_ATTEMPTS:-120}"
READY_INTERVAL_SECONDS="${READY_INTERVAL_SECONDS:-5}"

log() { echo "empdir user-data [${STAGE}]: $*" >&2; }

install_runtime() {
  log 'installing Node.js 22 from the Amazon Linux repositories'
  # aws-cfn-bootstrap brings cfn-signal: CloudFormation waits for it before it moves a rollout on.
  # nftables: the IMDS guard below (Amazon Linux 2023 ships it; named so a leaner image works too).
  dnf install -y --setopt=install_weak_deps=False nodejs22 aws-cfn-bootstrap nftables
  # The units call node-22 by its versioned name: `node` follows `alternatives` and may move.
  "$NODE_BIN" --version
}

create_users() {
  # Group imds-cache guards the token file; the API joins it through SupplementaryGroups= only.
  getent group imds-cache >/dev/null || groupadd --system imds-cache
  id -u imds-cache >/dev/null 2>&1 || useradd --system --gid imds-cache \
    --home-dir /nonexistent --no-create-home --shell /sbin/nologin imds-cache
  getent group empdir-api >/dev/null || groupadd --system empdir-api
  id -u empdir-api >/dev/null 2>&1 || useradd --system --gid empdir-api \
    --home-dir /nonexistent --no-create-home --shell /sbin/nologin empdir-api
}

# Only root (this script, cloud-init, the SSM agent) and the imds-cache daemon may reach IMDS; every
# other process is rejected at once, so none can take the instance role's credentials for itself.
# Root is let through because it needs IMDS to boot and could flush any rule anyway. Loaded now,
# before anything of ours runs, and on every later boot by imds-guard.service before the network.
guard_imds() {
  local daemon_uid
  daemon_uid="$(id -u imds-cache)"
  install -d -m 0755 "$NFT_DIR"
  cat >"${NFT_DIR}/imds-guard.nft" <<RULES
# Written by user-data.sh; loaded by imds-guard.service. Replaces its own table only.
table inet imds_guard
delete table inet imds_guard
table inet imds_guard {
  chain output {
    type filter hook output priority filter; policy accept;
    ip daddr 169.254.169.254 meta skuid { 0, ${daemon_uid} } accept
    ip6 daddr fd00:ec2::254 meta skuid { 0, ${daemon_uid} } accept
    ip daddr 169.254.169.254 counter reject
    ip6 daddr fd00:ec2::254 counter reject
  }
}
RULES
  chmod 0644 "${NFT_DIR}/imds-guard.nft"
  nft -f "${NFT_DIR}/imds-guard.nft"
  log "IMDS guard loaded: only root and imds-cache (uid ${daemon_uid}) reach the metadata service"
}

install_release() {
  local archive release
  archive="$(mktemp)"
  log "fetching s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY}"
  aws s3 cp --only-show-errors --region "$AWS_REGION" "s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY}" "$archive"
  echo "${ARTIFACT_SHA256}  ${archive}" | sha256sum --check --strict --quiet -
  release="${INSTALL_ROOT}/releases/$(basename "$ARTIFACT_KEY" .tar.gz)"
  rm -rf "$release"
  mkdir -p "$release"
  tar -xzf "$archive" -C "$release" --strip-components=1 --no-same-owner
  rm -f "$archive"
  # Root owns the code: neither service account can rewrite what it runs.
  chown -R root:root "$release"
  chmod -R u=rwX,go=rX "$release"
  ln -sfn "$release" "${INSTALL_ROOT}/current"
}

write_config() {
  local trusted_origins='' secret
  install -d -m 0755 "$CONFIG_DIR"
  # Behind an HTTPS listener the API sees http://; the browser's https:// origin must be trusted.
  [ -n "$DOMAIN_NAME" ] && trusted_origins="https://${DOMAIN_NAME}"
  # TRUSTED_HOSTS: only the public name is served (DNS rebinding); trusted-host.ts exempts the health check.
  # Names only, nothing secret: AWS credentials never touch the disk, the daemon keeps them in memory;
  # the Cognito web client is public (no secret).
  cat >"${CONFIG_DIR}/employee-directory.env" <<CONFIG
PHOTOS_BUCKET=${PHOTOS_BUCKET}
TABLE_NAME=${TABLE_NAME}
AWS_REGION=${AWS_REGION}
TRUSTED_ORIGINS=${trusted_origins}
TRUSTED_HOSTS=${TRUSTED_HOSTS}
OIDC_ISSUER=${OIDC_ISSUER}
OIDC_CLIENT_ID=${OIDC_CLIENT_ID}
OIDC_AUDIENCE=${OIDC_AUDIENCE}
OIDC_REDIRECT_URI=${OIDC_REDIRECT_URI}
OIDC_POST_LOGOUT_REDIRECT_URI=${OIDC_POST_LOGOUT_REDIRECT_URI}
OIDC_END_SESSION_URL=${OIDC_END_SESSION_URL}
CONFIG
  chmod 0644 "${CONFIG_DIR}/employee-directory.env"
  # Shared by every instance (through the VPC's Secrets Manager endpoint); readable by the API only.
  secret="$(aws secretsmanager get-secret-value --region "$AWS_REGION" \
    --secret-id "$SESSION_SECRET_ARN" --query SecretString --output text)"
  install -m 0640 -o root -g empdir-api /dev/null "${CONFIG_DIR}/session.env"
  printf 'SESSION_SECRET=%s\n' "$secret" >"${CONFIG_DIR}/session.env"
}

# The daemon's local clients: "api" gets the stack's ApiRole, its token file readable by the API's
# group only. A new client is one more entry here and one more role trusting the instance role.
write_clients() {
  install -d -m 0755 "$IMDS_CACHE_CONFIG_DIR"
  cat >"${IMDS_CACHE_CONFIG_DIR}/clients.json" <<CLIENTS
{
  "clients": [
    {
      "name": "api",
      "tokenFile": "/run/imds-cache/clients/api.token",
      "group": "empdir-api",
      "roleArn": "${API_ROLE_ARN}",
      "durationSeconds": 3600
    }
  ]
}
CLIENTS
  chmod 0644 "${IMDS_CACHE_CONFIG_DIR}/clients.json"
  # The STS endpoint's addresses are in the VPC: the daemon may reach them and nothing else there.
  install -d -m 0755 "${UNIT_DIR}/imds-cache.service.d"
  printf '[Service]\nIPAddressAllow=%s\n' "$VPC_CIDR" >"${UNIT_DIR}/imds-cache.service.d/sts-endpoint.conf"
  chmod 0644 "${UNIT_DIR}/imds-cache.service.d/sts-endpoint.conf"
}

start_services() {
  install -m 0644 "${INSTALL_ROOT}/current/systemd/imds-guard.service" \
    "${INSTALL_ROOT}/current/systemd/imds-cache.service" \
    "${INSTALL_ROOT}/current/systemd/employee-directory.service" "$UNIT_DIR"
  systemctl daemon-reload
  systemctl enable --now imds-guard.service
  systemctl enable --now imds-cache.service
  systemctl enable --now employee-directory.service
  log 'services started; the load balancer admits this instance once /readyz answers 200'
}

# The group's creation or rollout waits for this instance: tell it once /readyz answers, or that
# the boot failed (any error above, or no readiness in time), so a bad release rolls back early.
signal() {
  "$CFN_SIGNAL" --exit-code "$1" --stack "$CFN_STACK" --resource AutoScalingGroup --region "$AWS_REGION"
}

wait_until_ready() {
  local attempt
  for ((attempt = 1; attempt <= READY_ATTEMPTS; attempt++)); do
    curl -fsS -o /dev/null --max-time 5 "$READY_URL" && return 0
    sleep "$READY_INTERVAL_SECONDS"
  done
  log "no 200 from ${READY_URL} after ${READY_ATTEMPTS} attempts"
  return 1
}

trap 'status=$?; [ "$status" -eq 0 ] || signal 1 || true' EXIT

install_runtime
create_users
guard_imds
install_release
write_config
write_clients
start_services
wait_until_ready
signal 0
