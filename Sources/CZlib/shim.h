// CZlib: zlib's inflate/deflate/crc32, used for .gz datasets, tar.gz extraction and PNG output.
#include <zlib.h>
