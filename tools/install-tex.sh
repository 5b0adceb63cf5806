#!/usr/bin/env bash
# The TeX system that `make pdf` needs: XeLaTeX, latexmk, the Chinese support and the fonts
# the PDF uses: Noto Serif CJK SC (text) and Noto Sans CJK SC (headings, file names), Chinese
# and Latin alike, with ctex (texlive-lang-chinese) and caption (texlive-latex-recommended, which
# texlive-xetex brings). See tools/latex/techreport.sty.
# Fast and silent when all is there; installs with apt-get (as root or through sudo) on
# Debian/Ubuntu; otherwise says what to install and fails.
set -euo pipefail

PACKAGES="texlive-xetex texlive-lang-chinese texlive-fonts-recommended latexmk fonts-noto-cjk poppler-utils"

have_all() {
    command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v fc-list >/dev/null || return 1
    command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || return 1  # the PDF tests
    kpsewhich xeCJK.sty >/dev/null && kpsewhich ctex.sty >/dev/null && kpsewhich caption.sty >/dev/null || return 1
    local fonts
    fonts="$(fc-list : family)"
    for family in "Noto Serif CJK SC" "Noto Sans CJK SC" "Noto Sans Mono CJK SC"; do
        grep -qF "$family" <<<"$fonts" || return 1
    done
}

have_all && exit 0

if command -v apt-get >/dev/null && [ -r /etc/debian_version ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"
    else SUDO=none; fi
    if [ "$SUDO" != none ]; then
        echo "install-tex: installing $PACKAGES (about 240 MB to download)" >&2
        "$(dirname "$0")/apt-install.sh" --quiet $PACKAGES  # waits while another apt holds the lock
        have_all && exit 0
        echo "install-tex: installed, but something is still missing (see above)" >&2
        exit 1
    fi
fi

cat >&2 <<MSG
make pdf needs XeLaTeX, latexmk, xeCJK, ctex and the Noto CJK fonts, and could not
install them here. On Debian or Ubuntu, as root:

    apt-get install --no-install-recommends $PACKAGES

Elsewhere install the equivalents (TeX Live with xetex, latexmk, xeCJK, ctex and caption; the
fonts "Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans Mono CJK SC").
MSG
exit 1
