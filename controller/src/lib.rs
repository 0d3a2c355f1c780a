//! hallq-controller
