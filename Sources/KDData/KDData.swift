// KDData module.
