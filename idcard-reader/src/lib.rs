//! Chinese 2nd-generation ID card readers: sans-IO frame codec and a serial driver.
