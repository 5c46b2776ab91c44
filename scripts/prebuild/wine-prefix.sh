# Sourced. `wine_prefix` makes (once per shell) a Wine prefix in a temporary folder and prints
# it; `wine_prefix_at FOLDER` makes one in FOLDER. Either exports WINEPREFIX and WINEDEBUG for
# the wine commands that follow. The prefix is headless and reports Windows 10 (Node refuses
# the Windows 7 that a new prefix reports).
wine_prefix_at() {
  export WINEPREFIX="$1" WINEDEBUG=-all DISPLAY=
  # wineboot creates the prefix; winecfg -v sets the version without a window.
  wineboot -i >/dev/null 2>&1
  wine winecfg -v win10 >/dev/null 2>&1
  wineserver -w
}

wine_prefix() {
  if [ -z "${OPENRMS_WINEPREFIX:-}" ]; then
    OPENRMS_WINEPREFIX="$(mktemp -d "${TMPDIR:-/tmp}/openrms-wine.XXXXXX")"
    wine_prefix_at "$OPENRMS_WINEPREFIX"
  fi
  echo "$OPENRMS_WINEPREFIX"
}
