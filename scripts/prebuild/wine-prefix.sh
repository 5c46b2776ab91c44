# Sourced: `wine_prefix` makes (once per shell) a Wine prefix in a temporary folder, headless,
# reporting Windows 10 (Node refuses the Windows 7 that a new prefix reports), and exports
# WINEPREFIX and WINEDEBUG for the wine commands that follow. Prints the prefix.
wine_prefix() {
  if [ -z "${OPENRMS_WINEPREFIX:-}" ]; then
    OPENRMS_WINEPREFIX="$(mktemp -d "${TMPDIR:-/tmp}/openrms-wine.XXXXXX")"
    export WINEPREFIX="$OPENRMS_WINEPREFIX" WINEDEBUG=-all DISPLAY=
    # wineboot creates the prefix; winecfg -v sets the version without a window.
    wineboot -i >/dev/null 2>&1
    wine winecfg -v win10 >/dev/null 2>&1
    wineserver -w
  fi
  echo "$OPENRMS_WINEPREFIX"
}
