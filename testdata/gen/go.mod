module goroscope.test/gen

go 1.26
