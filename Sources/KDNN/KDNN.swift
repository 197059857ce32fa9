// KDNN module.
