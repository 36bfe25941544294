module goroscope.test/gen/traces

go 1.21
