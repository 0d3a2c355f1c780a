//! LED board wire protocols (Onbon BX, Alpha) as sans-IO codecs.
