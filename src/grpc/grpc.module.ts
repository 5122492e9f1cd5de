import { Global, Module } from '@nestjs/common';
import { GrpcServer } from './grpc-server';
import { GrpcHealthService } from './health.service';

@Global()
@Module({ providers: [GrpcServer, GrpcHealthService], exports: [GrpcServer, GrpcHealthService] })
export class GrpcModule {}
