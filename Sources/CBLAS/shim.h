// OpenBLAS' CBLAS plus its thread control (openblas_set_num_threads).
#include <cblas.h>
