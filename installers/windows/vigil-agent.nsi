; Vigil Agent for Windows as a single EXE (NSIS), per machine, for scripts and RMM tools:
;   vigil-agent-setup.exe /S /CONSOLE_URL=https://vigil.example.sch.uk /ENROLMENT_TOKEN=...
; Does what the MSI does: Program Files, HKLM\SOFTWARE\Vigil\Agent (ConsoleUrl, EnrolmentToken),
; HKLM Run for every user, an uninstaller (also silent: "Uninstall.exe" /S) that stops every
; running copy first. Built by installers/scripts/build.mjs with makensis; VERSION, PAYLOAD_DIR
; and OUT_FILE are passed with -D.

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"

!define PRODUCT "Vigil Agent"
!define EXE "Vigil Agent.exe"
!define CONFIG_KEY "SOFTWARE\Vigil\Agent"
!define RUN_KEY "SOFTWARE\Microsoft\Windows\CurrentVersion\Run"
!define UNINSTALL_KEY "SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\VigilAgent"

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "CompanyName" "Vigil"
VIAddVersionKey "LegalCopyright" "Vigil contributors"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Var ConsoleUrl
Var EnrolmentToken

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONSOLE_URL=" $ConsoleUrl
  ClearErrors
  ${GetOptions} $R0 "/ENROLMENT_TOKEN=" $EnrolmentToken
  ClearErrors
  ; A bad console URL stops the install before anything changes.
  ${If} $ConsoleUrl != ""
    StrCpy $R1 $ConsoleUrl 8
    ${If} $R1 != "https://"
      StrCpy $R1 $ConsoleUrl 17
      ${If} $R1 != "http://localhost:"
      ${AndIf} $R1 != "http://127.0.0.1:"
        MessageBox MB_ICONSTOP "CONSOLE_URL must start with https:// (http:// only for a console on this machine). Nothing was installed." /SD IDOK
        SetErrorLevel 2
        Quit
      ${EndIf}
    ${EndIf}
  ${EndIf}
  ${If} $EnrolmentToken != ""
    StrLen $R2 $EnrolmentToken
    ${If} $R2 < 8
    ${OrIf} $R2 > 200
      MessageBox MB_ICONSTOP "ENROLMENT_TOKEN must be 8 to 200 characters. Nothing was installed." /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Install"
  SetRegView 64
  SetShellVarContext all
  ; An upgrade replaces files that are in use: stop every user's copy first.
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /T /IM "${EXE}"'
  Pop $0
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD_DIR}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  ; The machine config the app reads (an upgrade without the options keeps what is there).
  ${If} $ConsoleUrl != ""
    WriteRegStr HKLM "${CONFIG_KEY}" "ConsoleUrl" $ConsoleUrl
  ${EndIf}
  ${If} $EnrolmentToken != ""
    WriteRegStr HKLM "${CONFIG_KEY}" "EnrolmentToken" $EnrolmentToken
  ${EndIf}
  ; Starts at every user's login.
  WriteRegStr HKLM "${RUN_KEY}" "${PRODUCT}" '"$INSTDIR\${EXE}" --autostart'

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "Vigil"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Uninstall"
  SetRegView 64
  SetShellVarContext all
  ; Nothing is left running: every user's copy (and its engine process) ends first.
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /T /IM "${EXE}"'
  Pop $0
  Sleep 1000
  DeleteRegValue HKLM "${RUN_KEY}" "${PRODUCT}"
  DeleteRegKey HKLM "${CONFIG_KEY}"
  DeleteRegKey /ifempty HKLM "SOFTWARE\Vigil"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  RMDir /r "$INSTDIR"
SectionEnd
