"""ChameleonAPI trainer: datasets, generic models, decision-aware customization, evaluation,
the job service and provider-compatible serving. Needs the `trainer` extra (torch)."""
