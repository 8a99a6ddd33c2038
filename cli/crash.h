/* A plugin that crashes names itself: which plugin and hook were running, on standard error, before nfcore dies of
 * the signal. */
#ifndef NFC_CLI_CRASH_H
#define NFC_CLI_CRASH_H

/* Watches SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. When one comes while plugin code runs on the thread it hits,
 * one line says so; then the signal's previous disposition (the default, or a sanitizer's) takes it over. */
void nfc_cli_crash_report_install(void);

#endif
