// KDTrain module.
