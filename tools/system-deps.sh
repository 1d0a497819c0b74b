#!/usr/bin/env bash
# Debian packages the build needs: XeLaTeX with French for the PDF, Chromium for the chart
# images (kaleido) and the browser tests, poppler for the PDF checks and the EPUB's cover,
# Node.js/npm for the browser assets served by the site, epubcheck (Java) for the EPUB's
# test. Installs them with apt when run as root; otherwise prints the exact command and stops.
set -euo pipefail

PACKAGES=(
  texlive-xetex texlive-lang-french texlive-fonts-recommended texlive-latex-extra
  latexmk fonts-freefont-otf xindy
  chromium poppler-utils
  nodejs npm
  epubcheck
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
# nodejs/npm may come from elsewhere than Debian (e.g. NodeSource): accept working commands.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $cmd >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Run as root:  apt-get update && $cmd" >&2
  exit 1
fi
