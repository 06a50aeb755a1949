"""The governed two-way sync: pull (CRM → us), push (us → CRM), deletions, with conflicts,
dead letters and cursors; `engine.sync_run_execute` runs one SyncRun."""
