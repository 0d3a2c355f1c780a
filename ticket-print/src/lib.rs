//! Printed tickets: PNG image, ESC/POS bytes, printer transports.
