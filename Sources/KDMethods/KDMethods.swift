// KDMethods module.
