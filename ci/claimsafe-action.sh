#!/usr/bin/env bash
# The GitHub Action's step (action.yml), kept as a script so it can be run and tested
# anywhere: lint only what changed since the base ref, print GitHub annotations, write
# SARIF when asked, and exit with claimsafe's code (0 clean, 1 findings, 2 errors).
# Inputs come as environment variables: INPUT_BASE, INPUT_PATHS, INPUT_FAIL_ON,
# INPUT_SARIF, INPUT_ARGS. Needs a checkout with the base commit present
# (actions/checkout with fetch-depth: 0).
set -uo pipefail

base="${INPUT_BASE:-}"
if [ -z "$base" ]; then
  if [ -n "${GITHUB_BASE_REF:-}" ]; then
    base="origin/${GITHUB_BASE_REF}"
  else
    base="HEAD~1"
  fi
fi
fail_on="${INPUT_FAIL_ON:-warning}"
claimsafe="${CLAIMSAFE:-claimsafe}"
read -r -a paths <<< "${INPUT_PATHS:-}"
read -r -a extra <<< "${INPUT_ARGS:-}"

$claimsafe check --diff "$base" --fail-on "$fail_on" --format github "${extra[@]}" "${paths[@]}"
status=$?

if [ -n "${INPUT_SARIF:-}" ] && [ "$status" -ne 2 ]; then
  # The second run reads the first one's results from the cache: no NLP again.
  $claimsafe check --diff "$base" --fail-on "$fail_on" --format sarif -o "$INPUT_SARIF" "${extra[@]}" "${paths[@]}" || true
fi
exit "$status"
