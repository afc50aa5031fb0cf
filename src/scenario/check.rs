//! Advisory checks that do not stop a run (`rungs validate` prints them): steps that can
//! never be enabled, outcomes no path reaches, unused parameters.
