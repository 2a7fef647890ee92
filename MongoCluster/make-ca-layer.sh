#!/usr/bin/env bash
# Packages the cluster's CA certificate as a Lambda layer (arm64) so the functions can verify
# the mongos certificates: the file lands at /opt/mongodb-ca.pem, and the MONGODB_URI secret
# says tls=true&tlsCAFile=/opt/mongodb-ca.pem. Prints the layer version ARN to pass to
# `sam deploy` as MongoCaLayerArn. Needs the AWS CLI with credentials and `zip`.
#
#   ./make-ca-layer.sh [CA_PEM (default: MONGO_TLS_CA_FILE from cluster.env)]
set -euo pipefail

SCRIPT_NAME="make-ca-layer"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ca="${1:-}"
if [[ -z "$ca" ]]; then
  load_cluster_env
  ca="$MONGO_TLS_CA_FILE"
fi
[[ -s "$ca" ]] || die "CA file $ca not found"
command -v aws >/dev/null || die "the AWS CLI is required"
command -v zip >/dev/null || die "zip is required"
grep -q "BEGIN CERTIFICATE" "$ca" || die "$ca is not a PEM certificate"
if grep -q "PRIVATE KEY" "$ca"; then
  die "$ca contains a private key; a layer must hold the CA certificate only"
fi

cp "$ca" "$MONGO_TMP_DIR/mongodb-ca.pem"
(cd "$MONGO_TMP_DIR" && zip -q -X layer.zip mongodb-ca.pem)
arn="$(aws lambda publish-layer-version \
  --layer-name "${LAYER_NAME:-bilheteria-mongodb-ca}" \
  --description "MongoDB cluster CA for Bilheteria (/opt/mongodb-ca.pem)" \
  --compatible-architectures arm64 \
  --zip-file "fileb://$MONGO_TMP_DIR/layer.zip" \
  --query LayerVersionArn --output text)"
log "published $arn"
printf '%s\n' "$arn"
