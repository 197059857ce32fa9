// DatasetName: the four supported datasets with their geometry, class counts and default class
// names (used when a dataset's own name file is absent).

/// A supported dataset, named as on the command line.
public enum DatasetName: String, CaseIterable, Codable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case cifar10
    case cifar100

    /// Number of classes (CIFAR-100: fine labels; coarse labels have 20).
    public var numClasses: Int {
        switch self {
        case .mnist, .fashionMNIST, .cifar10: return 10
        case .cifar100: return 100
        }
    }

    /// Colour channels: 1 for the MNIST family, 3 for CIFAR.
    public var channels: Int { isIDX ? 1 : 3 }
    /// Image height in pixels.
    public var height: Int { isIDX ? 28 : 32 }
    /// Image width in pixels.
    public var width: Int { isIDX ? 28 : 32 }
    /// Input shape `[C, H, W]`.
    public var inputShape: [Int] { [channels, height, width] }

    /// True for the IDX datasets (MNIST, Fashion-MNIST).
    public var isIDX: Bool { self == .mnist || self == .fashionMNIST }

    /// Images in the official training and test splits.
    public var officialCounts: (train: Int, test: Int) {
        isIDX ? (60_000, 10_000) : (50_000, 10_000)
    }

    /// Class names in label order (CIFAR-100: fine labels).
    public var defaultClassNames: [String] {
        switch self {
        case .mnist: return (0..<10).map(String.init)
        case .fashionMNIST: return ClassNames.fashionMNIST
        case .cifar10: return ClassNames.cifar10
        case .cifar100: return ClassNames.cifar100Fine
        }
    }
}

/// Which of the two datasets a dataset ships.
public enum Split: String, CaseIterable, Codable, Sendable {
    case train
    case test
}

/// Which CIFAR-100 label a record is read with.
public enum CIFAR100Labels: String, Codable, Sendable {
    /// The 100 fine classes (default).
    case fine
    /// The 20 coarse superclasses.
    case coarse
}

/// Published class names of each dataset.
public enum ClassNames {
    /// Fashion-MNIST (Xiao et al., 2017).
    public static let fashionMNIST = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    /// CIFAR-10 (Krizhevsky, 2009), as in `batches.meta.txt`.
    public static let cifar10 = [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ]
    /// CIFAR-100 fine labels, as in `fine_label_names.txt`.
    public static let cifar100Fine = """
        apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly \
        camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup \
        dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower \
        leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid \
        otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray \
        road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar \
        sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle \
        wardrobe whale willow_tree wolf woman worm
        """.split(separator: " ").map(String.init)
    /// CIFAR-100 coarse labels, as in `coarse_label_names.txt`.
    public static let cifar100Coarse = """
        aquatic_mammals fish flowers food_containers fruit_and_vegetables household_electrical_devices \
        household_furniture insects large_carnivores large_man-made_outdoor_things \
        large_natural_outdoor_scenes large_omnivores_and_herbivores medium_mammals \
        non-insect_invertebrates people reptiles small_mammals trees vehicles_1 vehicles_2
        """.split(separator: " ").map(String.init)
}
