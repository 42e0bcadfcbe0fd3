#!/usr/bin/env bash
# Builds the four service images with docker (or podman): scripts/build-images.sh [jvm|native] [service...]
# Names: ${PARLEY_IMAGE_REGISTRY:-docker.io}/parley/<service>:<Maven project version> — the names the Helm chart
# (image.registry, image.tag = appVersion, <service>.image.repository) and k8s/generated use.
#   jvm    (default) packages with Maven here, then copies target/quarkus-app into the UBI OpenJDK 17 runtime image
#   native builds inside containers (Maven, then Mandrel, then the Quarkus micro image): no GraalVM needed here
# Push with PARLEY_IMAGE_PUSH=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODE="${1:-jvm}"; shift || true
SERVICES=("$@"); [ ${#SERVICES[@]} -gt 0 ] || SERVICES=(auth-service id-service chat-service notify-service)
ENGINE="${PARLEY_CONTAINER_ENGINE:-$(command -v docker || command -v podman || true)}"
[ -n "$ENGINE" ] || { echo "no docker or podman on this machine" >&2; exit 1; }
VERSION="$(sed -n "s#^  <version>\(.*\)</version>#\1#p" pom.xml | head -1)"
REGISTRY="${PARLEY_IMAGE_REGISTRY:-docker.io}"
if [ "$MODE" = jvm ]; then
  (IFS=,; mvn -B -q -DskipTests package -pl "${SERVICES[*]}" -am)
fi
for svc in "${SERVICES[@]}"; do
  image="$REGISTRY/parley/$svc:$VERSION"
  case "$MODE" in
    jvm)    "$ENGINE" build -f "$svc/src/main/docker/Dockerfile.jvm" -t "$image" "$svc" ;;
    native) DOCKER_BUILDKIT=1 "$ENGINE" build -f "$svc/src/main/docker/Dockerfile.native-micro" -t "$image" . ;;
    *) echo "usage: $0 [jvm|native] [service...]" >&2; exit 2 ;;
  esac
  [ "${PARLEY_IMAGE_PUSH:-}" = 1 ] && "$ENGINE" push "$image"
  echo "built $image"
done
